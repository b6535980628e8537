<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode: customs declaration, domestic -> international.

  Input:  cd:CustomsDeclaration (urn:swnode:domestic:customs-declaration:1),
          valid against domestic.xsd.
  Output: md:MetaData wrapping a WCO Data Model 3.6 Declaration (DEC-DMS:2),
          valid against the published WCO schema (wco/WCO_DEC_with_MetaData.xsd),
          in the element order that schema prescribes.

  A pure function of the input: no parameters, no dates, no extensions.
  Every value is copied whitespace-normalised, so that to-domestic.xsl gives
  back the same document.  Optional domestic fields that are absent produce
  no WCO element, and no empty wrapper is emitted.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cd="urn:swnode:domestic:customs-declaration:1"
    xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"
    xmlns:ds="urn:wco:datamodel:WCO:MetaData_DS-DMS:2"
    xmlns:clm63055="urn:un:unece:uncefact:codelist:standard:UNECE:AgencyIdentificationCode:D12B"
    xmlns:clm5ISO42173A="urn:un:unece:uncefact:codelist:standard:ISO:ISO3AlphaCurrencyCode:2012-08-31"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:6"
    xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2"
    exclude-result-prefixes="cd">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:if test="not(cd:CustomsDeclaration)">
      <xsl:message terminate="yes">to-international: root element is not CustomsDeclaration in urn:swnode:domestic:customs-declaration:1</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="cd:CustomsDeclaration"/>
  </xsl:template>

  <!-- ============================== envelope and header =============== -->

  <xsl:template match="cd:CustomsDeclaration">
    <md:MetaData>
      <md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>
      <md:WCOTypeName>DEC</md:WCOTypeName>
      <xsl:for-each select="cd:ResponsibleCountryCode">
        <md:ResponsibleCountryCode><xsl:value-of select="normalize-space(.)"/></md:ResponsibleCountryCode>
      </xsl:for-each>
      <xsl:for-each select="cd:ResponsibleAgencyName">
        <md:ResponsibleAgencyName><xsl:value-of select="normalize-space(.)"/></md:ResponsibleAgencyName>
      </xsl:for-each>
      <xsl:for-each select="cd:CustomizationVersionCode">
        <md:AgencyAssignedCustomizationVersionCode><xsl:value-of select="normalize-space(.)"/></md:AgencyAssignedCustomizationVersionCode>
      </xsl:for-each>
      <Declaration>
        <xsl:call-template name="datetime"><xsl:with-param name="name" select="'AcceptanceDateTime'"/><xsl:with-param name="v" select="cd:AcceptanceDateTime"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'FunctionCode'"/><xsl:with-param name="v" select="cd:FunctionCode"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'FunctionalReferenceID'"/><xsl:with-param name="v" select="cd:FunctionalReference"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
        <xsl:call-template name="datetime"><xsl:with-param name="name" select="'IssueDateTime'"/><xsl:with-param name="v" select="cd:IssueDateTime"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:DeclarationTypeCode"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'GoodsItemQuantity'"/><xsl:with-param name="v" select="cd:GoodsItemQuantity"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'DeclarationOfficeID'"/><xsl:with-param name="v" select="cd:DeclarationOfficeId"/></xsl:call-template>
        <xsl:call-template name="amount"><xsl:with-param name="name" select="'InvoiceAmount'"/><xsl:with-param name="v" select="cd:InvoiceAmount"/></xsl:call-template>
        <xsl:call-template name="measure"><xsl:with-param name="name" select="'TotalGrossMassMeasure'"/><xsl:with-param name="v" select="cd:TotalGrossMass"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TotalPackageQuantity'"/><xsl:with-param name="v" select="cd:TotalPackageQuantity"/></xsl:call-template>
        <xsl:call-template name="party"><xsl:with-param name="name" select="'Submitter'"/><xsl:with-param name="p" select="cd:Submitter"/></xsl:call-template>
        <xsl:for-each select="cd:AdditionalDocument">
          <AdditionalDocument>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="cd:CategoryCode"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
          </AdditionalDocument>
        </xsl:for-each>
        <xsl:apply-templates select="cd:AdditionalInformation"/>
        <xsl:call-template name="party"><xsl:with-param name="name" select="'Agent'"/><xsl:with-param name="p" select="cd:Agent"/></xsl:call-template>
        <xsl:for-each select="cd:AuthorisationHolder">
          <AuthorisationHolder>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="cd:CategoryCode"/></xsl:call-template>
          </AuthorisationHolder>
        </xsl:for-each>
        <xsl:call-template name="transport"><xsl:with-param name="name" select="'BorderTransportMeans'"/><xsl:with-param name="t" select="cd:BorderTransportMeans"/></xsl:call-template>
        <xsl:if test="cd:Carrier or cd:Consignor or cd:FreightPaymentMethodCode or cd:RoutingCountry">
          <Consignment>
            <xsl:call-template name="party"><xsl:with-param name="name" select="'Carrier'"/><xsl:with-param name="p" select="cd:Carrier"/></xsl:call-template>
            <xsl:call-template name="party"><xsl:with-param name="name" select="'Consignor'"/><xsl:with-param name="p" select="cd:Consignor"/></xsl:call-template>
            <xsl:for-each select="cd:FreightPaymentMethodCode">
              <Freight>
                <PaymentMethodCode><xsl:value-of select="normalize-space(.)"/></PaymentMethodCode>
              </Freight>
            </xsl:for-each>
            <xsl:for-each select="cd:RoutingCountry">
              <Itinerary>
                <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
                <xsl:call-template name="leaf"><xsl:with-param name="name" select="'RoutingCountryCode'"/><xsl:with-param name="v" select="cd:CountryCode"/></xsl:call-template>
              </Itinerary>
            </xsl:for-each>
          </Consignment>
        </xsl:if>
        <xsl:for-each select="cd:CurrencyExchange">
          <CurrencyExchange>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CurrencyTypeCode'"/><xsl:with-param name="v" select="cd:CurrencyCode"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'RateNumeric'"/><xsl:with-param name="v" select="cd:Rate"/></xsl:call-template>
          </CurrencyExchange>
        </xsl:for-each>
        <xsl:call-template name="party"><xsl:with-param name="name" select="'Declarant'"/><xsl:with-param name="p" select="cd:Declarant"/></xsl:call-template>
        <xsl:for-each select="cd:ExitOfficeId">
          <ExitOffice>
            <ID><xsl:value-of select="normalize-space(.)"/></ID>
          </ExitOffice>
        </xsl:for-each>
        <xsl:call-template name="party"><xsl:with-param name="name" select="'Exporter'"/><xsl:with-param name="p" select="cd:Exporter"/></xsl:call-template>
        <xsl:call-template name="goods-shipment"/>
        <xsl:for-each select="cd:Guarantee">
          <ObligationGuarantee>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'AmountAmount'"/><xsl:with-param name="v" select="cd:Amount"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ReferenceID'"/><xsl:with-param name="v" select="cd:ReferenceId"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'SecurityDetailsCode'"/><xsl:with-param name="v" select="cd:SecurityDetailsCode"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'AccessCode'"/><xsl:with-param name="v" select="cd:AccessCode"/></xsl:call-template>
            <xsl:for-each select="cd:OfficeId">
              <GuaranteeOffice>
                <ID><xsl:value-of select="normalize-space(.)"/></ID>
              </GuaranteeOffice>
            </xsl:for-each>
          </ObligationGuarantee>
        </xsl:for-each>
        <xsl:for-each select="cd:EntryOfficeId">
          <PresentationOffice>
            <ID><xsl:value-of select="normalize-space(.)"/></ID>
          </PresentationOffice>
        </xsl:for-each>
        <xsl:for-each select="cd:SupervisingOfficeId">
          <SupervisingOffice>
            <ID><xsl:value-of select="normalize-space(.)"/></ID>
          </SupervisingOffice>
        </xsl:for-each>
      </Declaration>
    </md:MetaData>
  </xsl:template>

  <!-- ============================== goods shipment ==================== -->

  <xsl:template name="goods-shipment">
    <GoodsShipment>
      <xsl:call-template name="datetime"><xsl:with-param name="name" select="'ExitDateTime'"/><xsl:with-param name="v" select="cd:DepartureDate"/></xsl:call-template>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TransactionNatureCode'"/><xsl:with-param name="v" select="cd:TransactionNatureCode"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Buyer'"/><xsl:with-param name="p" select="cd:Buyer"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Consignee'"/><xsl:with-param name="p" select="cd:Consignee"/></xsl:call-template>
      <xsl:if test="cd:Containerised or cd:ArrivalTransportMeans or cd:DepartureTransportMeans or cd:GoodsLocation or cd:LoadingPort or cd:Container">
        <Consignment>
          <xsl:for-each select="cd:Containerised">
            <ContainerCode>
              <xsl:choose>
                <xsl:when test="normalize-space(.) = 'true'">1</xsl:when>
                <xsl:otherwise>0</xsl:otherwise>
              </xsl:choose>
            </ContainerCode>
          </xsl:for-each>
          <xsl:call-template name="transport"><xsl:with-param name="name" select="'ArrivalTransportMeans'"/><xsl:with-param name="t" select="cd:ArrivalTransportMeans"/></xsl:call-template>
          <xsl:call-template name="transport"><xsl:with-param name="name" select="'DepartureTransportMeans'"/><xsl:with-param name="t" select="cd:DepartureTransportMeans"/></xsl:call-template>
          <xsl:for-each select="cd:GoodsLocation">
            <GoodsLocation>
              <xsl:call-template name="leaf"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="cd:Name"/></xsl:call-template>
              <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
              <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
              <xsl:if test="cd:QualifierCode or cd:CountryCode">
                <Address>
                  <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:QualifierCode"/></xsl:call-template>
                  <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CountryCode'"/><xsl:with-param name="v" select="cd:CountryCode"/></xsl:call-template>
                </Address>
              </xsl:if>
            </GoodsLocation>
          </xsl:for-each>
          <xsl:for-each select="cd:LoadingPort">
            <LoadingLocation>
              <ID><xsl:value-of select="normalize-space(.)"/></ID>
            </LoadingLocation>
          </xsl:for-each>
          <xsl:for-each select="cd:Container">
            <TransportEquipment>
              <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
              <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
              <xsl:for-each select="cd:Seal">
                <Seal>
                  <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
                  <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
                </Seal>
              </xsl:for-each>
            </TransportEquipment>
          </xsl:for-each>
        </Consignment>
      </xsl:if>
      <xsl:for-each select="cd:CustomsValuation">
        <CustomsValuation>
          <xsl:call-template name="amount"><xsl:with-param name="name" select="'FreightChargeAmount'"/><xsl:with-param name="v" select="cd:FreightCharge"/></xsl:call-template>
          <xsl:apply-templates select="cd:ChargeDeduction"/>
        </CustomsValuation>
      </xsl:for-each>
      <xsl:for-each select="cd:DestinationCountryCode">
        <Destination>
          <CountryCode><xsl:value-of select="normalize-space(.)"/></CountryCode>
        </Destination>
      </xsl:for-each>
      <xsl:for-each select="cd:ExportCountryCode">
        <ExportCountry>
          <ID><xsl:value-of select="normalize-space(.)"/></ID>
        </ExportCountry>
      </xsl:for-each>
      <xsl:apply-templates select="cd:GoodsItem"/>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Importer'"/><xsl:with-param name="p" select="cd:Importer"/></xsl:call-template>
      <xsl:apply-templates select="cd:PreviousDocument"/>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Seller'"/><xsl:with-param name="p" select="cd:Seller"/></xsl:call-template>
      <xsl:for-each select="cd:TradeTerms">
        <TradeTerms>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ConditionCode'"/><xsl:with-param name="v" select="cd:ConditionCode"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CountryRelationshipCode'"/><xsl:with-param name="v" select="cd:CountryRelationshipCode"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'Description'"/><xsl:with-param name="v" select="cd:Description"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'LocationID'"/><xsl:with-param name="v" select="cd:LocationId"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'LocationName'"/><xsl:with-param name="v" select="cd:LocationName"/></xsl:call-template>
        </TradeTerms>
      </xsl:for-each>
      <xsl:for-each select="cd:Ucr">
        <UCR>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TraderAssignedReferenceID'"/><xsl:with-param name="v" select="cd:TraderReference"/></xsl:call-template>
        </UCR>
      </xsl:for-each>
      <xsl:for-each select="cd:Warehouse">
        <Warehouse>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
        </Warehouse>
      </xsl:for-each>
    </GoodsShipment>
  </xsl:template>

  <!-- ============================== goods item ======================== -->

  <xsl:template match="cd:GoodsItem">
    <GovernmentAgencyGoodsItem>
      <xsl:call-template name="amount"><xsl:with-param name="name" select="'CustomsValueAmount'"/><xsl:with-param name="v" select="cd:CustomsValue"/></xsl:call-template>
      <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
      <xsl:call-template name="amount"><xsl:with-param name="name" select="'StatisticalValueAmount'"/><xsl:with-param name="v" select="cd:StatisticalValue"/></xsl:call-template>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TransactionNatureCode'"/><xsl:with-param name="v" select="cd:TransactionNatureCode"/></xsl:call-template>
      <xsl:for-each select="cd:AdditionalDocument">
        <AdditionalDocument>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="cd:CategoryCode"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="cd:Name"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'LPCOExemptionCode'"/><xsl:with-param name="v" select="cd:ExemptionCode"/></xsl:call-template>
          <xsl:if test="cd:WriteOffQuantity or cd:WriteOffAmount">
            <WriteOff>
              <xsl:call-template name="measure"><xsl:with-param name="name" select="'QuantityQuantity'"/><xsl:with-param name="v" select="cd:WriteOffQuantity"/></xsl:call-template>
              <xsl:call-template name="amount"><xsl:with-param name="name" select="'AmountAmount'"/><xsl:with-param name="v" select="cd:WriteOffAmount"/></xsl:call-template>
            </WriteOff>
          </xsl:if>
        </AdditionalDocument>
      </xsl:for-each>
      <xsl:apply-templates select="cd:AdditionalInformation"/>
      <Commodity>
        <Description><xsl:value-of select="normalize-space(cd:Description)"/></Description>
        <xsl:for-each select="cd:Classification">
          <Classification>
            <ID><xsl:value-of select="normalize-space(cd:Code)"/></ID>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'IdentificationTypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
          </Classification>
        </xsl:for-each>
        <xsl:for-each select="cd:DangerousGoodsId">
          <DangerousGoods>
            <UNDGID><xsl:value-of select="normalize-space(.)"/></UNDGID>
          </DangerousGoods>
        </xsl:for-each>
        <xsl:for-each select="cd:DutyTaxFee">
          <DutyTaxFee>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'AdValoremTaxBaseAmount'"/><xsl:with-param name="v" select="cd:TaxBaseAmount"/></xsl:call-template>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'DeductAmount'"/><xsl:with-param name="v" select="cd:DeductAmount"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'DutyRegimeCode'"/><xsl:with-param name="v" select="cd:DutyRegimeCode"/></xsl:call-template>
            <xsl:call-template name="measure"><xsl:with-param name="name" select="'SpecificTaxBaseQuantity'"/><xsl:with-param name="v" select="cd:TaxBaseQuantity"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TaxRateNumeric'"/><xsl:with-param name="v" select="cd:TaxRate"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'QuotaOrderID'"/><xsl:with-param name="v" select="cd:QuotaOrderId"/></xsl:call-template>
            <xsl:if test="cd:PaymentMethodCode or cd:TaxAssessedAmount or cd:PaymentAmount">
              <Payment>
                <xsl:call-template name="leaf"><xsl:with-param name="name" select="'MethodCode'"/><xsl:with-param name="v" select="cd:PaymentMethodCode"/></xsl:call-template>
                <xsl:call-template name="amount"><xsl:with-param name="name" select="'TaxAssessedAmount'"/><xsl:with-param name="v" select="cd:TaxAssessedAmount"/></xsl:call-template>
                <xsl:call-template name="amount"><xsl:with-param name="name" select="'PaymentAmount'"/><xsl:with-param name="v" select="cd:PaymentAmount"/></xsl:call-template>
              </Payment>
            </xsl:if>
          </DutyTaxFee>
        </xsl:for-each>
        <xsl:if test="cd:GrossMass or cd:NetMass or cd:SupplementaryQuantity">
          <GoodsMeasure>
            <xsl:call-template name="measure"><xsl:with-param name="name" select="'GrossMassMeasure'"/><xsl:with-param name="v" select="cd:GrossMass"/></xsl:call-template>
            <xsl:call-template name="measure"><xsl:with-param name="name" select="'NetNetWeightMeasure'"/><xsl:with-param name="v" select="cd:NetMass"/></xsl:call-template>
            <xsl:call-template name="measure"><xsl:with-param name="name" select="'TariffQuantity'"/><xsl:with-param name="v" select="cd:SupplementaryQuantity"/></xsl:call-template>
          </GoodsMeasure>
        </xsl:if>
        <xsl:for-each select="cd:ItemPrice">
          <InvoiceLine>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'ItemChargeAmount'"/><xsl:with-param name="v" select="."/></xsl:call-template>
          </InvoiceLine>
        </xsl:for-each>
        <xsl:for-each select="cd:Container">
          <TransportEquipment>
            <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
          </TransportEquipment>
        </xsl:for-each>
      </Commodity>
      <xsl:for-each select="cd:CustomsValuation">
        <CustomsValuation>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'MethodCode'"/><xsl:with-param name="v" select="cd:MethodCode"/></xsl:call-template>
          <xsl:apply-templates select="cd:ChargeDeduction"/>
        </CustomsValuation>
      </xsl:for-each>
      <xsl:for-each select="cd:DestinationCountryCode">
        <Destination>
          <CountryCode><xsl:value-of select="normalize-space(.)"/></CountryCode>
        </Destination>
      </xsl:for-each>
      <xsl:for-each select="cd:ExportCountryCode">
        <ExportCountry>
          <ID><xsl:value-of select="normalize-space(.)"/></ID>
        </ExportCountry>
      </xsl:for-each>
      <xsl:for-each select="cd:Procedure">
        <GovernmentProcedure>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CurrentCode'"/><xsl:with-param name="v" select="cd:Code"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'PreviousCode'"/><xsl:with-param name="v" select="cd:PreviousCode"/></xsl:call-template>
        </GovernmentProcedure>
      </xsl:for-each>
      <xsl:for-each select="cd:Origin">
        <Origin>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CountryCode'"/><xsl:with-param name="v" select="cd:CountryCode"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
        </Origin>
      </xsl:for-each>
      <xsl:for-each select="cd:Packaging">
        <Packaging>
          <SequenceNumeric><xsl:value-of select="normalize-space(cd:SequenceNumber)"/></SequenceNumeric>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'MarksNumbersID'"/><xsl:with-param name="v" select="cd:Marks"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'QuantityQuantity'"/><xsl:with-param name="v" select="cd:Quantity"/></xsl:call-template>
          <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
        </Packaging>
      </xsl:for-each>
      <xsl:apply-templates select="cd:PreviousDocument"/>
      <xsl:for-each select="cd:ValuationAdjustmentCode">
        <ValuationAdjustment>
          <AdditionCode><xsl:value-of select="normalize-space(.)"/></AdditionCode>
        </ValuationAdjustment>
      </xsl:for-each>
    </GovernmentAgencyGoodsItem>
  </xsl:template>

  <!-- ============================== shared ============================ -->

  <xsl:template match="cd:AdditionalInformation">
    <AdditionalInformation>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'StatementCode'"/><xsl:with-param name="v" select="cd:StatementCode"/></xsl:call-template>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'StatementDescription'"/><xsl:with-param name="v" select="cd:StatementDescription"/></xsl:call-template>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'StatementTypeCode'"/><xsl:with-param name="v" select="cd:StatementTypeCode"/></xsl:call-template>
    </AdditionalInformation>
  </xsl:template>

  <xsl:template match="cd:PreviousDocument">
    <PreviousDocument>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="cd:CategoryCode"/></xsl:call-template>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'LineNumeric'"/><xsl:with-param name="v" select="cd:LineNumber"/></xsl:call-template>
    </PreviousDocument>
  </xsl:template>

  <xsl:template match="cd:ChargeDeduction">
    <ChargeDeduction>
      <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ChargesTypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
      <xsl:call-template name="amount"><xsl:with-param name="name" select="'OtherChargeDeductionAmount'"/><xsl:with-param name="v" select="cd:Amount"/></xsl:call-template>
    </ChargeDeduction>
  </xsl:template>

  <!-- A party in the WCO order Name, ID, (Agent: FunctionCode), Address. -->
  <xsl:template name="party">
    <xsl:param name="name"/>
    <xsl:param name="p"/>
    <xsl:for-each select="$p">
      <xsl:element name="{$name}">
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="cd:Name"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'FunctionCode'"/><xsl:with-param name="v" select="cd:StatusCode"/></xsl:call-template>
        <xsl:for-each select="cd:Address">
          <Address>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CityName'"/><xsl:with-param name="v" select="cd:CityName"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CountryCode'"/><xsl:with-param name="v" select="cd:CountryCode"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'CountrySubDivisionCode'"/><xsl:with-param name="v" select="cd:CountrySubDivisionCode"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'Line'"/><xsl:with-param name="v" select="cd:Line"/></xsl:call-template>
            <xsl:call-template name="leaf"><xsl:with-param name="name" select="'PostcodeID'"/><xsl:with-param name="v" select="cd:PostcodeId"/></xsl:call-template>
          </Address>
        </xsl:for-each>
      </xsl:element>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="transport">
    <xsl:param name="name"/>
    <xsl:param name="t"/>
    <xsl:for-each select="$t">
      <xsl:element name="{$name}">
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="cd:Name"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ID'"/><xsl:with-param name="v" select="cd:Id"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'IdentificationTypeCode'"/><xsl:with-param name="v" select="cd:IdentificationTypeCode"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="cd:TypeCode"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'RegistrationNationalityCode'"/><xsl:with-param name="v" select="cd:NationalityCode"/></xsl:call-template>
        <xsl:call-template name="leaf"><xsl:with-param name="name" select="'ModeCode'"/><xsl:with-param name="v" select="cd:ModeCode"/></xsl:call-template>
      </xsl:element>
    </xsl:for-each>
  </xsl:template>

  <!-- An element with the whitespace-normalised value of $v, when $v exists. -->
  <xsl:template name="leaf">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v">
      <xsl:element name="{$name}"><xsl:value-of select="normalize-space(.)"/></xsl:element>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="amount">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v">
      <xsl:element name="{$name}">
        <xsl:if test="@currency">
          <xsl:attribute name="currencyID"><xsl:value-of select="normalize-space(@currency)"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="normalize-space(.)"/>
      </xsl:element>
    </xsl:for-each>
  </xsl:template>

  <!-- measures and quantities: the value and its unitCode -->
  <xsl:template name="measure">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v">
      <xsl:element name="{$name}">
        <xsl:if test="@unitCode">
          <xsl:attribute name="unitCode"><xsl:value-of select="normalize-space(@unitCode)"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="normalize-space(.)"/>
      </xsl:element>
    </xsl:for-each>
  </xsl:template>

  <!-- xs:date -> format 102 CCYYMMDD; xs:dateTime -> format 304
       CCYYMMDDHHMMSS and the zone as Z or +HH/-HH. -->
  <xsl:template name="datetime">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v">
      <xsl:variable name="s" select="normalize-space(.)"/>
      <xsl:element name="{$name}">
        <xsl:choose>
          <xsl:when test="contains($s, 'T')">
            <xsl:variable name="t" select="substring-after($s, 'T')"/>
            <xsl:variable name="zone" select="substring($t, 9)"/>
            <p1:DateTimeString formatCode="304">
              <xsl:value-of select="concat(translate(substring-before($s, 'T'), '-', ''), translate(substring($t, 1, 8), ':', ''))"/>
              <xsl:choose>
                <xsl:when test="$zone = 'Z'">Z</xsl:when>
                <xsl:otherwise><xsl:value-of select="substring($zone, 1, 3)"/></xsl:otherwise>
              </xsl:choose>
            </p1:DateTimeString>
          </xsl:when>
          <xsl:otherwise>
            <p1:DateTimeString formatCode="102"><xsl:value-of select="translate($s, '-', '')"/></p1:DateTimeString>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:element>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
